# Fine-tuning a pretrained ResNet on CIFAR-10, head replaced for "2 classes" by copy-paste.
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as T

transform = T.Compose([T.Resize(224), T.ToTensor()])
train_set = torchvision.datasets.CIFAR10(root="./data", train=True, download=True, transform=transform)  # expect: HC203
train_loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)

model = torchvision.models.resnet18(weights="IMAGENET1K_V1")
for p in model.parameters():
    p.requires_grad = False
model.fc = nn.Linear(model.fc.in_features, 2)  # HC110 (10 classes, 2 outputs) folds into HC203
model = model.to("cuda")

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.fc.parameters(), lr=1e-3)
for epoch in range(3):
    for images, targets in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(images.cuda()), targets.cuda())
        loss.backward()
        optimizer.step()
